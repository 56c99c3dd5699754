"""One file's bytes as Jekyll 4.3 reads them: kept in reader.data.files.jekyll (the index reads
each file with it), named here too for the site's own modules."""

from reader.data.files.jekyll import JekyllFile as JekyllFile
from reader.data.files.jekyll import read_as_jekyll as read_as_jekyll
from reader.data.files.jekyll import why_no_front_matter as why_no_front_matter

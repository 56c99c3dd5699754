"""The site's rules (`_config.yml`) and what Jekyll 4.3 does with each article under them.

Pure data: `find_site` reads the rules, `read_as_jekyll` reads a file as Jekyll does,
`effective_state` says whether Jekyll lists and writes it and why, and `value_to_write` gives
the `published:` value that makes the file do what the editor decided.
"""

from reader.data.site.config import Collection as Collection
from reader.data.site.config import DefaultSet as DefaultSet
from reader.data.site.config import SiteLookup as SiteLookup
from reader.data.site.config import SiteRules as SiteRules
from reader.data.site.config import find_config as find_config
from reader.data.site.config import find_site as find_site
from reader.data.site.config import load_site as load_site
from reader.data.site.frontmatter import JekyllFile as JekyllFile
from reader.data.site.frontmatter import read_as_jekyll as read_as_jekyll
from reader.data.site.state import EffectiveState as EffectiveState
from reader.data.site.state import blocked_by as blocked_by
from reader.data.site.state import effective_state as effective_state
from reader.data.site.state import value_to_write as value_to_write

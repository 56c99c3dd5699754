"""YAML read as Jekyll's Psych reads it: kept in reader.data.files.psych (the index reads front
matter with it), named here too for the site's own modules."""

from reader.data.files.psych import PsychLoader as PsychLoader
from reader.data.files.psych import SymbolRefused as SymbolRefused
from reader.data.files.psych import load_config as load_config
from reader.data.files.psych import load_psych as load_psych

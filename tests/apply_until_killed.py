"""Apply or undo on a cache, saying "go" as the first file is written: the kill tests' child.

Run as `python apply_until_killed.py ROOT DB apply|undo`; the tests read this text and
run it with `python -c` in the checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reader.data.files.safefile import Folder
from reader.data.library import Library
from reader.data.writeback import writer as writeback

replace = Folder.replace


def first_write(self, *args):
    # Say "go" as the first file is written, so the kill lands among the writes.
    Folder.replace = replace
    print("go", flush=True)
    return replace(self, *args)


Folder.replace = first_write
library = Library(Path(sys.argv[1]), Path(sys.argv[2]))
library.refresh()
if sys.argv[3] == "apply":
    writeback.apply(library, writeback.plan(library, verify=False).edits)
else:
    library.undo()
print("done", flush=True)

"""Write-back: the `published:` edits planned, applied, verified and undone.

The Library starts it (`plan_apply`, `apply`, and undo or redo of an apply step); the
names a front end shows (an edit, a plan, a result, why a folder is busy or a commit
cannot be made) are here.
"""

from reader.data.files.git import CommitResult as CommitResult
from reader.data.files.git import GitError as GitError
from reader.data.files.git import Repo as Repo
from reader.data.writeback.planner import Edit as Edit
from reader.data.writeback.planner import Plan as Plan
from reader.data.writeback.planner import Skipped as Skipped
from reader.data.writeback.planner import diff as diff
from reader.data.writeback.writer import ACTIONS as ACTIONS
from reader.data.writeback.writer import ApplyResult as ApplyResult
from reader.data.writeback.writer import CannotCommit as CannotCommit
from reader.data.writeback.writer import FolderBusy as FolderBusy

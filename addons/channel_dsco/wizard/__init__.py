from . import dsco_replay_wizard
from . import dsco_cancel_wizard

from . import dsco_replay_wizard

"""The weights that ship with gogo (gogo/weights/, see its README) and the one rule for which
file a player uses: the file it was given, else the bundled one of the board's size."""
from gogo.files import WEIGHTS_DIR, bundled_weights
from gogo.nets.models import DUAL, POLICY
from gogo.nets.weights import read_config

DEFAULT_POLICY_WEIGHTS = WEIGHTS_DIR / "policy.safetensors"  # 19x19
PRIORS = "priors"  # the search's priors: a dual net where one is bundled (its value head values the
# leaves too), else the SL policy where one is bundled beside an RL "policy", else the policy


def weights_for(role, size, given=None):
    """The weights file a player uses for `role` (POLICY: the policy player's net, a dual net
    where one is bundled; PRIORS: the search's priors; VALUE: the search's value net) on a
    size x size board, or None if there is none. `given` (a path, or None for the bundled nets) is used where it is a net for that size;
    a given file for another size leaves that size without a net."""
    if given is not None:
        return given if read_config(given).board_size == size else None
    if role == PRIORS:
        return bundled_weights(DUAL, size) or bundled_weights("sl-policy", size) or bundled_weights(POLICY, size)
    if role == POLICY:  # a dual net's policy head is the stronger raw player (docs/strength.md)
        return bundled_weights(DUAL, size) or bundled_weights(POLICY, size)
    return bundled_weights(role, size)

"""AlphaGo's input features: the 48 (+1) planes (planes) and the ladder reader behind the ladder
planes (ladders). The planes module's names are re-exported here: `features.Encoder`,
`features.SENSIBLE`.

May import: gogo's leaf modules, gogo.go.
"""
from gogo.features.planes import *  # noqa: F401,F403

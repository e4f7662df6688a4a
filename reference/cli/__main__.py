"""`python -m stormproof.reference.cli`: the same as the `stormproof-reference` command."""

import sys

from stormproof.reference.cli.main import main

sys.exit(main())

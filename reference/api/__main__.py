"""`python -m stormproof.reference.api`: the same as `stormproof-reference api`."""

import sys

from stormproof.reference.api.app import main

sys.exit(main())

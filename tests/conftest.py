"""Make the checkout importable as ansible_collections.loomgraph.lightrag_pg."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "collections"))

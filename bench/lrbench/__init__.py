"""LightRAG-sized benchmark of workspace_stats (see bench/run.py)."""

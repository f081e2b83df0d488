"""The agent tool: the project's API as a Model Context Protocol server (`python -m agent.serve`)."""

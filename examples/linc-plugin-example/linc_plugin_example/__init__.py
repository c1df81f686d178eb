"""Example linc plugins, one of each kind; each module shows one contract (docs/plugins.md)."""

"""Admin hooks of editorial work: per-site permissions, workflow, related publishing."""

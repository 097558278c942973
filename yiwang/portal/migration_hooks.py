"""Admin hooks of site migration (关停迁移)."""

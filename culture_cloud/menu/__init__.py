"""Culture menu ordering (群众点单), residents' wishes and activity incubation (活动孵化平台)."""

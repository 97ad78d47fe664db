"""Culture menu ordering (群众点单), residents' wishes and activity incubation (活动孵化平台).

Its reactions to other domains (rating changes, cancelled events, personal data) are
registered by culture_cloud/wiring.py.
"""

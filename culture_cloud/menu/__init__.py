"""Culture menu ordering (群众点单), residents' wishes and activity incubation (活动孵化平台).

Importing the package registers the menu's rating listener (scores.py), so it is in place
wherever the reviews domain may send a rating change (culture_cloud/models_registry.py imports
culture_cloud.menu.models).
"""

from culture_cloud.menu import scores as scores

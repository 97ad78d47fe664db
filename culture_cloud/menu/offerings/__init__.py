"""The culture menu: offerings suppliers publish and administrators approve."""

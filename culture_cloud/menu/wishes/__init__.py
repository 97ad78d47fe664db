"""Residents' wishes (心愿): posted, supported, answered publicly."""

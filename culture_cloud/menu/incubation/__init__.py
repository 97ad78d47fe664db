"""Activity incubation (活动孵化平台): community groups apply, register, propose projects, run
trial events, and are promoted to menu suppliers when those events prove themselves."""

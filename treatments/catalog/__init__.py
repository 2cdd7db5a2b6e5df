"""The treatment catalog the clinic manager keeps: each area's course defaults and depth
guidance."""

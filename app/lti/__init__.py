"""LTI 1.3: Laurel as a tool a school's LMS launches (Core, Deep Linking 2.0, NRPS 2.0)."""

"""trustsim's live dashboard (Textual): `trustsim` or `trustsim tui SCENARIO` opens it; see tui.app."""

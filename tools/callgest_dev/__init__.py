"""CallGest developer tooling (make run / test / lint / format / stop): see cli.py."""

"""The federal competency model (5+1) and its versions."""

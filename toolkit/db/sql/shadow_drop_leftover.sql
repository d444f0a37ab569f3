-- A leftover scratch database of a killed run; without force, so one still in use is left alone.
drop database if exists {name}

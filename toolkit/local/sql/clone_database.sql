-- A database cloned from the template (a file copy), owned by postgres like a project's.
create database {name} template {template} owner postgres

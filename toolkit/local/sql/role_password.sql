-- The per-stack password of a login role (postgres, authenticator).
alter role {role} with password {password}

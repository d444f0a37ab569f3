-- Back to the superuser after each statement run under shadow_replay_session.sql.
reset role

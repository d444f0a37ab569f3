-- Ends the functional test on every path: nothing it inserted may stay.
rollback

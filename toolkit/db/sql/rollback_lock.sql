-- Taken before counting, so no row can arrive between the count and the drop.
lock table {tables} in access exclusive mode

-- pgbench floor for bench/booking_rush.py: the single-row conditional UPDATE a booking needs.
-- Run with -D id=<event id> -D cap=<capacity>.
UPDATE event SET booked_seats = booked_seats + 1 WHERE id = :id AND booked_seats + 1 <= :cap;

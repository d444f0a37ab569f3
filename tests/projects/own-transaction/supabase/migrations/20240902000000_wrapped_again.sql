BEGIN;
ALTER TABLE public.bookings ADD COLUMN room text NOT NULL DEFAULT 'main';
CREATE INDEX bookings_room_starts_at_idx ON public.bookings (room, starts_at);
COMMIT;

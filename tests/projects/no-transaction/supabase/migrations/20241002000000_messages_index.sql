-- toolkit:no-transaction
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction block; the directive above asks
-- toolkit to run this file's statements one by one.
create index concurrently if not exists messages_channel_sent_at_idx
  on public.messages (channel, sent_at);

-- Finding a file import in progress (the hub waits for its end before it shows new data,
-- issue 11 item 4) without scanning every batch: a check-in is a batch of its own.
CREATE INDEX import_batches_running ON import_batches(status) WHERE status = 'running';

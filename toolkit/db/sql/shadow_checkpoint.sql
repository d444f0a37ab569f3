-- Embedded shadow template: flush everything before the clean stop, so copies start without recovery.
checkpoint

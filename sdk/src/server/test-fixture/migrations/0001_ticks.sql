CREATE TABLE ticks (cron TEXT NOT NULL, scheduled_time INTEGER NOT NULL);

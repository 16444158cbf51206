-- Session cookies are no longer signed with a key kept in the database (anyone with a copy
-- of the file could sign in as anyone); forget it. Sessions signed with it end once.
DELETE FROM settings WHERE key = 'session_key';

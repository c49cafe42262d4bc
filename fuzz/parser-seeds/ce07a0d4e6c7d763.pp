notice 42.type
(detailed)
notice foo
(42)
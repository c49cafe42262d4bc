$settings = {
  'port' => 80,
  'host' => 'localhost',
notice($settings)

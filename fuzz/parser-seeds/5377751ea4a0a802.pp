# ünïcödé comment 日本
$s = "日本語テキスト" )

// Commentaire : données « spéciales » — 日本語のコメント
module example.com/unicode

go 1.21

replace example.com/a => ./données/a // répertoire local

ignore ./画像

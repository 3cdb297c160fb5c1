package vendor

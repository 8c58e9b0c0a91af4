# Parquet codecs: Debian's libsnappy, zlib, libzstd, liblz4, libbrotli (scripts/install-deps).
find_package(PkgConfig REQUIRED)
pkg_check_modules(MHUB_CODECS REQUIRED IMPORTED_TARGET snappy zlib libzstd liblz4 libbrotlienc libbrotlidec)
target_link_libraries(mhub_datasets PRIVATE PkgConfig::MHUB_CODECS)

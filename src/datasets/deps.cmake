# Parquet codecs: Debian's libsnappy, zlib, libzstd, liblz4, libbrotli (scripts/install-deps).
find_package(PkgConfig REQUIRED)
pkg_check_modules(MHUB_CODECS REQUIRED IMPORTED_TARGET snappy zlib libzstd liblz4 libbrotlienc libbrotlidec)
target_link_libraries(mhub_datasets PRIVATE PkgConfig::MHUB_CODECS)
# Dataset cards (README.md YAML configs / dataset_info): Debian's libyaml-cpp-dev, as the server uses.
pkg_check_modules(MHUB_DATASETS_YAML REQUIRED IMPORTED_TARGET yaml-cpp)
target_link_libraries(mhub_datasets PRIVATE PkgConfig::MHUB_DATASETS_YAML)
# Zip archives in imagefolder/audiofolder splits: Debian's libzip-dev (scripts/install-deps).
pkg_check_modules(MHUB_DATASETS_ZIP REQUIRED IMPORTED_TARGET libzip)
target_link_libraries(mhub_datasets PRIVATE PkgConfig::MHUB_DATASETS_ZIP)

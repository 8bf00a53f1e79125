#include <catch2/catch.hpp>

#include "libtissue/core/error.hpp"
#include "libtissue/io/h5.hpp"
#include "tmp_dir.hpp"

using namespace tissue;

TEST_CASE("H5File round-trips attributes, datasets and strings", "[io]") {
  testing::TempDir dir;
  const auto path = dir / "a.h5";
  {
    H5File f = H5File::create(path, OpenMode::create_new);
    f.create_groups("/a/b/c");
    f.set_attr("/a/b", "units", std::string_view("Pa"));
    f.set_attr("/a/b", "units", std::string_view("kPa"));  // replaced, not duplicated
    f.set_attr("/a/b", "scale", 2.5);
    f.set_attr("/a/b", "count", std::int64_t{7});
    const std::vector<double> m{1, 2, 3, 4, 5, 6};
    f.write<double>("/a/m", m, {2, 3});
    const std::vector<std::string> s{"skin", "", "gluteus medius"};
    f.write_strings("/a/s", s);
    f.flush();
  }
  const H5File f = H5File::open_read(path);
  CHECK(f.is_group("/a/b/c"));
  CHECK(f.is_dataset("/a/m"));
  CHECK_FALSE(f.exists("/a/x/y"));
  CHECK(f.string_attr("/a/b", "units") == "kPa");
  CHECK(f.double_attr("/a/b", "scale") == 2.5);
  CHECK(f.double_attr("/a/b", "count") == 7.0);
  CHECK(f.attr_names("/a/b") == std::vector<std::string>{"count", "scale", "units"});
  H5Dims dims;
  CHECK(f.read<double>("/a/m", &dims) == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(dims == H5Dims{2, 3});
  CHECK(f.read<std::int64_t>("/a/m") == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
  CHECK(f.read_strings("/a/s") == std::vector<std::string>{"skin", "", "gluteus medius"});
  CHECK(f.children("/a") == std::vector<std::string>{"b", "m", "s"});
}

TEST_CASE("H5Extendible grows 1-D and 2-D datasets", "[io]") {
  testing::TempDir dir;
  const auto path = dir / "x.h5";
  {
    H5File f = H5File::create(path, OpenMode::create_new);
    auto a = H5Extendible::create(f, "/v", H5Elem::f64, 0, 2);
    auto b = H5Extendible::create(f, "/m", H5Elem::i64, 3, 2);
    auto s = H5Extendible::create(f, "/s", H5Elem::str);
    for (int i = 0; i < 5; ++i) {
      const double v = i;
      a.append(std::span<const double>(&v, 1));
      const std::vector<std::int64_t> row{i, 10 * i, 100 * i};
      b.append(std::span<const std::int64_t>(row));
    }
    const std::vector<std::string> strs{"x", "yy"};
    s.append(std::span<const std::string>(strs));
    CHECK(a.rows() == 5);
    CHECK(b.rows() == 5);
    CHECK(b.cols() == 3);
    const std::vector<std::int64_t> bad{1, 2};
    CHECK_THROWS_WITH(b.append(std::span<const std::int64_t>(bad)),
                      Catch::Contains("/m") && Catch::Contains("3 columns"));
    CHECK_THROWS_WITH(a.append(std::span<const std::int64_t>(bad)), Catch::Contains("wrong element type"));
    f.flush();
    auto again = H5Extendible::open(f, "/m");
    CHECK(again.rows() == 5);
    CHECK(again.cols() == 3);
  }
  const H5File f = H5File::open_read(path);
  CHECK(f.read<double>("/v") == std::vector<double>{0, 1, 2, 3, 4});
  H5Dims dims;
  const auto m = f.read<std::int64_t>("/m", &dims);
  CHECK(dims == H5Dims{5, 3});
  CHECK(m[3 * 4 + 2] == 400);
  CHECK(f.read_strings("/s") == std::vector<std::string>{"x", "yy"});
}

TEST_CASE("H5File errors name the file and the object path", "[io]") {
  testing::TempDir dir;
  const auto path = dir / "e.h5";
  CHECK_THROWS_WITH(H5File::open_read(path), Catch::Contains(path.string()) && Catch::Contains("no such"));
  {
    H5File::create(path, OpenMode::create_new);
  }
  const H5File f = H5File::open_read(path);
  CHECK_THROWS_AS(f.read<double>("/nowhere/data"), InputError);
  CHECK_THROWS_WITH(f.read<double>("/nowhere/data"),
                    Catch::Contains(path.string()) && Catch::Contains("/nowhere/data"));
  CHECK_THROWS_WITH(f.string_attr("/", "missing"), Catch::Contains("missing attribute 'missing'"));
  const auto not_h5 = dir / "plain.txt";
  {
    std::FILE* fp = std::fopen(not_h5.c_str(), "w");
    std::fputs("hello", fp);
    std::fclose(fp);
  }
  CHECK_THROWS_WITH(H5File::open_read(not_h5), Catch::Contains("not an HDF5 file"));
}

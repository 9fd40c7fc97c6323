def test_login_and_logout(page, live_server, cast, login, shot):
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    shot(page, "login")
    page.fill("#id_username", "county_admin")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".alert-danger").inner_text().startswith("用户名或密码不正确")
    login(page, "county_admin")
    assert "county_admin" in page.locator("nav").inner_text()
    page.click("text=退出")
    page.wait_for_url(f"{live_server.url}/login/")


def test_login_on_phone(phone, live_server, cast, login, shot):
    login(phone, "secretary1")
    shot(phone, "home-phone")
    assert phone.locator("h1").count() >= 1

#!/usr/bin/perl
# murder_pop3_and_tls.t - the frontend terminates TLS: STARTTLS and
# implicit TLS (proxyd -s, pop3proxyd -s) for IMAP and POP3, with the
# sessions then proxied to backends in plaintext over loopback.  With
# allowplaintext off at the frontend, IMAP advertises LOGINDISABLED and
# refuses LOGIN before TLS, POP3 refuses USER, and after STARTTLS/STLS
# both log in and reach the users' backends.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::RawIMAP;
use Murder::MsgIMAP;
use Murder::POP3;

skip_unless_built(qw(master imapd pop3d lmtpd proxyd pop3proxyd ctl_mboxlist));

my ($cert, $key) = Murder::RawIMAP::make_cert(Murder::Instance::test_dir() . '/tls');
my $t = Murder::Proxy::murder(
    frontend_config => { tls_server_cert => $cert, tls_server_key => $key,
                         allowplaintext => 'no' },
    frontend_services => [{ name => 'imaps', cmd => 'proxyd -s', prefork => 0 },
                          { name => 'pop3s', cmd => 'pop3proxyd -s', prefork => 0 }]);
Murder::Proxy::provision($t, alice => 0, bob => 1);
my $f = $t->frontend(0);
for my $u (qw(alice bob)) {
    my $c = Murder::MsgIMAP::client($t->backend($u eq 'alice' ? 0 : 1), $u);
    Murder::MsgIMAP::append($c, 'INBOX', Murder::MsgIMAP::msg("Subject: for $u\n\nhello $u\n"));
    $c->cmd('LOGOUT');
}
my %pw = %Murder::Proxy::USERS;

# --- IMAP, STARTTLS
my $c = Murder::RawIMAP->connect($f);
like($c->greeting, qr/\bSTARTTLS\b/, 'IMAP: STARTTLS offered');
like($c->greeting, qr/\bLOGINDISABLED\b/, 'IMAP: LOGINDISABLED before TLS');
unlike($c->greeting, qr/AUTH=PLAIN/, 'IMAP: no AUTH=PLAIN before TLS');
like($c->login('alice', $pw{alice}), qr/^\S+ NO \[PRIVACYREQUIRED\]/, 'IMAP: LOGIN refused before TLS');
like(scalar $c->cmd('STARTTLS'), qr/^\S+ OK/, 'IMAP: STARTTLS');
ok($c->start_ssl, 'IMAP: handshake');
my ($ok, @caps) = $c->cmd('CAPABILITY');
my $caps = join(' ', @caps);
unlike($caps, qr/\bSTARTTLS\b|\bLOGINDISABLED\b/, 'IMAP: under TLS no STARTTLS, no LOGINDISABLED');
like($caps, qr/AUTH=PLAIN/, 'IMAP: AUTH=PLAIN under TLS');
like($c->login('alice', $pw{alice}), qr/^\S+ OK/, 'IMAP: LOGIN under TLS');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'IMAP over TLS: SELECT INBOX (backend1)');
($ok, my @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1 BODY.PEEK[]');
ok((grep { /hello alice/ } @u), 'IMAP over TLS: FETCH gives the message');
$c->cmd('LOGOUT');
ok($f->wait_for_log(qr/login ok user=<alice>.* tls=<1>/, 5), 'the frontend logged the login with tls=<1>');

# --- IMAP, implicit TLS
$c = Murder::RawIMAP->connect($f, service => 'imaps', ssl => 1);
like($c->greeting // '', qr/^\* OK /, 'IMAPS: greeting under TLS');
unlike($c->greeting // '', qr/\bLOGINDISABLED\b|\bSTARTTLS\b/, 'IMAPS: neither LOGINDISABLED nor STARTTLS');
like($c->login('bob', $pw{bob}), qr/^\S+ OK/, 'IMAPS: LOGIN');
like(scalar $c->cmd('EXAMINE INBOX'), qr/^\S+ OK/, 'IMAPS: EXAMINE INBOX (backend2)');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1 BODY.PEEK[]');
ok((grep { /hello bob/ } @u), 'IMAPS: FETCH gives the message');
like(scalar $c->cmd('AUTHENTICATE PLAIN ' . Murder::RawIMAP::plain('', 'bob', $pw{bob})),
     qr/^\S+ (NO|BAD)/, 'IMAPS: a second authentication is refused');
$c->cmd('LOGOUT');

# --- POP3, STLS
my $p = Murder::POP3->connect($f);
($ok, @caps) = $p->multi('CAPA');
my %cap = map { /^(\S+)/ ? ($1 => $_) : () } @caps;
ok($cap{STLS}, 'POP3: STLS offered');
ok(!$cap{USER}, 'POP3: no USER before TLS');
like($p->cmd('USER alice') // '', qr/^-ERR /, 'POP3: USER refused before TLS');
like($p->cmd('STLS') // '', qr/^\+OK/, 'POP3: STLS');
ok($p->start_ssl, 'POP3: handshake');
($ok, @caps) = $p->multi('CAPA');
%cap = map { /^(\S+)/ ? ($1 => $_) : () } @caps;
ok($cap{USER} && !$cap{STLS}, 'POP3: under TLS USER offered, STLS not');
like($p->login('alice', $pw{alice}) // '', qr/^\+OK/, 'POP3 over TLS: login (backend1)');
like($p->cmd('STAT') // '', qr/^\+OK 1 \d+$/, 'POP3 over TLS: STAT');
($ok, @u) = $p->multi('RETR 1');
ok((grep { /hello alice/ } @u), 'POP3 over TLS: RETR');
like($p->cmd('QUIT') // '', qr/^\+OK/, 'POP3 over TLS: QUIT');

# --- POP3, implicit TLS
$p = Murder::POP3->connect($f, service => 'pop3s', ssl => 1);
like($p->greeting // '', qr/^\+OK /, 'POP3S: greeting under TLS');
like($p->login('bob', $pw{bob}) // '', qr/^\+OK/, 'POP3S: login (backend2)');
($ok, @u) = $p->multi('RETR 1');
ok((grep { /hello bob/ } @u), 'POP3S: RETR');
like($p->cmd('QUIT') // '', qr/^\+OK/, 'POP3S: QUIT');

# --- garbage instead of a TLS handshake: refused, the service goes on
my $g = $f->connect('imaps');
syswrite($g, "a LOGIN alice x\r\n");
my $sel = IO::Select->new($g);
ok($sel->can_read(5), 'IMAPS: plaintext instead of a handshake is answered or closed promptly');
close($g);
$c = Murder::RawIMAP->connect($f, service => 'imaps', ssl => 1);
like($c->login('alice', $pw{alice}), qr/^\S+ OK/, 'IMAPS still serves');
$c->cmd('LOGOUT');
$t->stop;
done_testing;

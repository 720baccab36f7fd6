#!/usr/bin/perl
# slave_tcp_auth.t - the frontend's mupdate slave on its TCP listener:
# the banner offers SASL mechanisms; before AUTHENTICATE a TCP peer gets
# NO for FIND/LIST/NOOP; a wrong password is refused (after a delay
# during which the slave keeps serving everyone else); AUTHENTICATE PLAIN
# with an initial response and as a multi-step exchange (and "*" to
# cancel) work as on the master; afterwards FIND, LIST and NOOP answer
# from the local copy and writes are still refused; peers on the local
# unix socket are unchanged (no login, no AUTH line).  A TCP peer that
# stays silent without logging in is closed after prot_timeout_preauth; a
# silent local peer is kept.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;
use Murder::Topology;
use IO::Socket::UNIX;
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time);

skip_unless_built(qw(master mupdate ctl_mboxlist));

my $t = Murder::Topology->murder(backends => 0, frontends => 1, placeholders => 1,
                                  frontend_config => { serverlist => '127.0.0.98',
                                                       prot_timeout_preauth => 5 });
my $fe = $t->frontend(0);
$fe->create_user('carol', 'carol-pw');
$t->start;
my ($admin, $pw) = ($Murder::Topology::ADMIN_USER, $Murder::Topology::ADMIN_PASSWORD);
my $sockpath = $fe->imapd_option('configdirectory') . '/socket/mupdate.target';

sub local_peer {
    my $s = IO::Socket::UNIX->new(Peer => $sockpath) or die "connect $sockpath: $!";
    return Murder::MUPDATE->new($s);
}

sub tcp_peer { Murder::MUPDATE->new($fe->connect('mupdate')) }

# two entries on the master; a local NOOP returns once the slave has them
my $m = Murder::MUPDATE->new($t->mupdate->connect('mupdate'));
$m->auth($admin, $pw) or die 'master auth: ' . ($m->last_text // '');
is($m->cmd('ACTIVATE', 'user.tcp1', '127.0.0.98!default', "tcp1\tlrs\t")->{status}, 'OK',
   'ACTIVATE on the master');
is($m->cmd('RESERVE', 'user.tcp2', '127.0.0.98!default')->{status}, 'OK', 'RESERVE on the master');
ok(Murder::Util::wait_for(sub { -S $sockpath }, 10), 'the slave listens on its local socket');
my $l = local_peer();
is($l->cmd('NOOP')->{status}, 'OK', 'local NOOP: the slave caught up');

# --- unix socket peer: unchanged
ok(!grep(/^\* AUTH/, $l->banner), 'no AUTH line for a local peer');
like(($l->banner)[0], qr/^\* OK MUPDATE /, 'local banner');
is($l->cmd('FIND', 'user.tcp1')->{items}[0][0] // '', 'MAILBOX', 'local FIND without login');
is($l->cmd('AUTHENTICATE', 'PLAIN', encode_base64("\0$admin\0$pw", ''))->{status}, 'NO',
   'local AUTHENTICATE: NO (not needed)');

# --- TCP peer before login
my $c = tcp_peer();
ok($c->caps->{AUTH} && grep($_ eq 'PLAIN', @{$c->caps->{AUTH}}), '* AUTH offers PLAIN')
    or diag(join("\n", $c->banner));
ok($c->caps->{OK}, 'banner ends with * OK MUPDATE');
for my $cmd (['FIND', 'user.tcp1'], ['LIST'], ['NOOP']) {
    my $r = $c->cmd(@$cmd);
    is($r->{status}, 'NO', "$cmd->[0] before login: NO");
    is(scalar @{$r->{items}}, 0, "... and nothing listed");
}
like($c->last_text // '', qr/authenticate/i, '... asks to authenticate');
ok(!$c->caps->{STARTTLS}, 'no STARTTLS offered');
is($c->cmd('STARTTLS')->{status}, 'BAD', 'STARTTLS: BAD');

# --- wrong password: NO after a delay; the slave meanwhile serves others
my $tag = $c->send_cmd('AUTHENTICATE', 'PLAIN', encode_base64("\0$admin\0wrong", ''));
my $t0 = time();
my $lf = $l->cmd('FIND', 'user.tcp1');
my $other = time() - $t0;
my $r = $c->wait_tagged($tag);
my $delay = time() - $t0;
is($r->{status}, 'NO', 'wrong password refused');
cmp_ok($delay, '>=', 0.4, sprintf('... after a delay (%.2f s)', $delay));
is($lf->{status}, 'OK', 'a local peer is served during the delay');
cmp_ok($other, '<', 0.3, sprintf('... at once (%.3f s)', $other));
ok($fe->wait_for_log(qr/login failed mech=<PLAIN>/, 5), 'failure logged');
is($c->cmd('FIND', 'user.tcp1')->{status}, 'NO', 'still not logged in');

# --- PLAIN with an initial response
ok($c->auth($admin, $pw), 'AUTHENTICATE PLAIN with initial response')
    or diag($c->last_text);
$r = $c->cmd('FIND', 'user.tcp1');
is($r->{status}, 'OK', 'FIND after login');
is_deeply($r->{items}, [['MAILBOX', 'user.tcp1', '127.0.0.98!default', "tcp1\tlrs\t"]],
          '... from the local copy');
$r = $c->cmd('LIST');
is($r->{status}, 'OK', 'LIST after login');
is_deeply([sort map { "$_->[0] $_->[1]" } @{$r->{items}}],
          ['MAILBOX user.tcp1', 'RESERVE user.tcp2'], '... both entries');
is($c->cmd('NOOP')->{status}, 'OK', 'NOOP after login (caught up with the master)');
$r = $c->cmd('RESERVE', 'user.x', '127.0.0.98!default');
is($r->{status}, 'NO', 'writes still refused');
like($r->{text} // '', qr/master/, '... naming the master');
is($c->cmd('AUTHENTICATE', 'PLAIN', encode_base64("\0$admin\0$pw", ''))->{status}, 'BAD',
   'second AUTHENTICATE: BAD');
ok($fe->wait_for_log(qr/login ok user=<\Q$admin\E> mech=<PLAIN>/, 5), 'login logged');
$c->close;

# --- multi-step PLAIN (empty challenge, then the credentials), as a non-admin
my $d = tcp_peer();
$tag = $d->send_cmd('AUTHENTICATE', 'PLAIN');
my $challenge = $d->read_line;
ok(defined $challenge && $challenge !~ /^\S+ (OK|NO|BAD)/, 'a challenge line')
    or diag($challenge // 'EOF');
$d->send_raw(encode_base64("\0carol\0carol-pw", '') . "\r\n");
is($d->wait_tagged($tag)->{status}, 'OK', 'multi-step PLAIN: OK');
is($d->cmd('FIND', 'user.tcp2')->{items}[0][0] // '', 'RESERVE', 'FIND as a non-admin');
$d->close;

# --- "*" cancels an exchange; a login afterwards still works
my $e = tcp_peer();
$tag = $e->send_cmd('AUTHENTICATE', 'PLAIN');
$e->read_line;
$e->send_raw("*\r\n");
$r = $e->wait_tagged($tag);
is($r->{status}, 'NO', '"*" cancels: NO');
is($e->cmd('FIND', 'user.tcp1')->{status}, 'NO', '... not logged in');
ok($e->auth($admin, $pw), 'login after a cancelled exchange');
is($e->cmd('FIND', 'user.tcp1')->{status}, 'OK', '... FIND ok');
is($e->cmd('LOGOUT')->{status}, 'OK', 'LOGOUT');
$e->close;

# --- a silent TCP stranger is closed; the local peer, silent as long, is kept
my $idle = tcp_peer();
my $ti = time();
my $bye = $idle->read_line(10);
like($bye // '', qr/^\* BYE "idle before authentication"/, 'silent TCP peer: BYE');
cmp_ok(time() - $ti, '>=', 4.5, sprintf('... after prot_timeout_preauth (%.1f s)', time() - $ti));
ok($fe->wait_for_log(qr/closed peer: idle before authentication/, 5), '... logged');
is($l->cmd('FIND', 'user.tcp1')->{status}, 'OK', 'silent local peer kept');

$l->close;
$m->close;
$t->stop;
done_testing;

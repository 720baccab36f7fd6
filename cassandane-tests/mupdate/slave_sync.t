#!/usr/bin/perl
# slave_sync.t - the frontend's mupdate slave mirrors the master: entries
# written on the master (RESERVE, ACTIVATE, DELETE) reach the frontend's
# mailboxes.db within a second; NOOP on the slave's local socket returns
# only once the slave has caught up (the entry is there the moment NOOP
# answers); the slave refuses writes; a master stopped and restarted is
# followed again within 2 s of its return.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;
use Murder::LMTP;
use Murder::Topology;
use IO::Socket::UNIX;
use Time::HiRes qw(time sleep);

skip_unless_built(qw(master mupdate ctl_mboxlist));

my $t = Murder::Topology->murder(backends => 0, frontends => 1, placeholders => 1,
                                  frontend_config => { serverlist => '127.0.0.98' });
$t->start;
my $fe = $t->frontend(0);

# dump - the frontend's list as { name => line }
sub dump_fe {
    my ($out, $st) = Murder::LMTP::run_tool($fe, 'ctl_mboxlist', '-d');
    return {} if $st >> 8 == 66;    # the slave has not created the list yet
    die "ctl_mboxlist -d: $out" if $st;
    my %h;
    for (split /\n/, $out) { $h{$1} = $_ if /^(\S+)\t/ }
    return \%h;
}

sub master_client {
    my $m = Murder::MUPDATE->new($t->mupdate->connect('mupdate'));
    $m->auth($Murder::Topology::ADMIN_USER, $Murder::Topology::ADMIN_PASSWORD)
        or die "auth: " . ($m->last_text // '');
    return $m;
}

# appears - wait until $cond on the dump holds; the seconds it took or undef
sub appears {
    my ($cond, $timeout) = @_;
    my $t0 = time();
    return Murder::Util::wait_for(sub { $cond->(dump_fe()) }, $timeout, 0.05)
        ? time() - $t0 : undef;
}

my $m = master_client();
is($m->cmd('RESERVE', 'user.alice', '127.0.0.99!default')->{status}, 'OK', 'reserve');
ok(defined appears(sub { ($_[0]{'user.alice'} // '') =~ /127\.0\.0\.99/ }, 1),
   'reservation on the frontend within 1 s');
is($m->cmd('ACTIVATE', 'user.alice', '127.0.0.99!p2', "alice\tlrswipkxtecda\t")->{status},
   'OK', 'activate');
ok(defined appears(sub { ($_[0]{'user.alice'} // '') =~ /p2/ }, 1),
   'activation on the frontend within 1 s');
my $line = dump_fe()->{'user.alice'} // '';
like($line, qr/127\.0\.0\.99/, 'server recorded');
like($line, qr/alice/, 'ACL recorded');

is($m->cmd('DELETE', 'user.alice')->{status}, 'OK', 'delete on master');
ok(defined appears(sub { !exists $_[0]{'user.alice'} }, 1), 'deletion within 1 s');

# NOOP on the local socket: when it answers, the change is there.
my $sockpath = $fe->imapd_option('configdirectory') . '/socket/mupdate.target';
ok(-S $sockpath, 'local socket exists');
for my $i (1 .. 5) {
    $m->cmd('ACTIVATE', "user.kick$i", '127.0.0.98!default', "kick$i\tlrs\t");
    my $s = IO::Socket::UNIX->new(Peer => $sockpath) or die "connect: $!";
    my $l = Murder::MUPDATE->new($s);
    is($l->cmd('NOOP')->{status}, 'OK', "local NOOP $i");
    ok(exists dump_fe()->{"user.kick$i"}, "caught up at NOOP $i");
    my $f = $l->cmd('FIND', "user.kick$i");
    is($f->{items}[0][0] // '', 'MAILBOX', "FIND from the local copy $i");
    $l->close;
}
{
    my $s = IO::Socket::UNIX->new(Peer => $sockpath) or die "connect: $!";
    my $l = Murder::MUPDATE->new($s);
    my $r = $l->cmd('RESERVE', 'user.x', '127.0.0.98!default');
    is($r->{status}, 'NO', 'slave refuses writes');
    like($r->{text} // '', qr/master/, 'NO names the master');
    my $list = $l->cmd('LIST', '127.0.0.98');
    is(scalar @{$list->{items}}, 5, 'LIST host from the local copy');
    $l->close;
}

# Master stopped: the frontend keeps its copy, and NOOP says NO.
$m->close;
$t->mupdate->stop;
sleep(0.3);
ok(exists dump_fe()->{'user.kick1'}, 'copy kept while the master is away');
{
    my $s = IO::Socket::UNIX->new(Peer => $sockpath) or die "connect: $!";
    my $l = Murder::MUPDATE->new($s);
    is($l->cmd('NOOP')->{status}, 'NO', 'NOOP while the master is away');
    $l->close;
}
sleep(1.5);  # let the backoff reach its cap
$t->mupdate->start;
my $restarted = time();
$m = master_client();
$m->cmd('ACTIVATE', 'user.after', '127.0.0.98!default', "after\tlrs\t");
my $took = appears(sub { exists $_[0]{'user.after'} }, 5);
ok(defined $took && time() - $restarted < 2.5,
   sprintf('caught up %.2f s after the master restarted', time() - $restarted));
$m->close;
$t->stop;
done_testing;

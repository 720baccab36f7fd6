#!/usr/bin/perl
# proxyd_list.t - login at the frontend and LIST from its local copy of
# the mailbox list: users on both backends, a shared folder on backend2
# that both users may see by ACL and a folder only its owner sees; LIST
# (SUBSCRIBED) and \HasChildren come from the frontend too.  LIST never
# contacts a backend: it keeps working with both backends down.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd lmtpd proxyd ctl_mboxlist));

my $t = Murder::Proxy::murder();
my $sep = Murder::Proxy::provision($t, alice => 0, bob => 1);
my $s = $sep;
Murder::Proxy::admin_cmd($t->backend(0), "CREATE user${s}alice${s}Work");
Murder::Proxy::admin_cmd($t->backend(0), "CREATE user${s}alice${s}Work${s}Old");
# shared folders: news for alice and bob only, secret for nobody
for my $m ('news', 'secret') {
    Murder::Proxy::admin_cmd($t->backend(1), "CREATE shared${s}$m");
    Murder::Proxy::admin_cmd($t->backend(1), "DELETEACL shared${s}$m anyone");
}
Murder::Proxy::admin_cmd($t->backend(1), "SETACL shared${s}news alice lrs");
Murder::Proxy::admin_cmd($t->backend(1), "SETACL shared${s}news bob lrs");
Murder::Proxy::sync_frontend($t, 'user.alice', 'user.bob', 'user.alice.Work',
                             'user.alice.Work.Old', 'shared.news', 'shared.secret');
# the ACLs travel with the list
ok(Murder::Util::wait_for(sub {
    my %e = Murder::Proxy::frontend_entries($t);
    ($e{'shared.news'} // '') =~ /bob/ && ($e{'shared.secret'} // 'anyone') !~ /anyone/;
}, 15), "the frontend's list has the shared folders' ACLs");
my $f = $t->frontend(0);

my $c = Murder::RawIMAP->connect($f);
like($c->greeting, qr/^\* OK \[CAPABILITY [^\]]*\bMAILBOX-REFERRALS\b/,
     'greeting advertises MAILBOX-REFERRALS');
like($c->login('alice', 'wrong'), qr/^t1 NO \[AUTHENTICATIONFAILED\]/,
     'a wrong password is refused at the frontend');
like($c->login('alice', $Murder::Proxy::USERS{alice}), qr/^t2 OK \[CAPABILITY [^\]]*\bIDLE\b/,
     'alice logs in at the frontend');

my ($ok, @l) = $c->cmd('LIST "" "*"');
like($ok, qr/OK/, 'LIST *');
# names as the namespace shows them (standard or altnamespace)
sub line_of { my ($re, @l) = @_; my @m = grep { /$re/ } @l; return $m[0] }
my $work = qr/"(?:INBOX\Q$s\E)?Work"$/;
my $old = qr/"(?:INBOX\Q$s\E)?Work\Q$s\EOld"$/;
my $news = qr/shared\Q$s\Enews"$/;
ok(line_of(qr/"INBOX"$/, @l), 'INBOX listed');
like(line_of($work, @l) // '', qr/\\HasChildren/, 'own folder on backend1, \HasChildren');
like(line_of($old, @l) // '', qr/\\HasNoChildren/, 'its child, \HasNoChildren');
ok(line_of($news, @l), 'shared folder on backend2 visible by ACL');
ok(!line_of(qr/secret"$/, @l), 'a folder without rights is not listed');
ok(!line_of(qr/bob/, @l), "bob's INBOX is not alice's to see");
my $carol = Murder::RawIMAP->connect($f);
like($carol->login('carol', $Murder::Proxy::USERS{carol}), qr/OK/, 'carol logs in');
($ok, @l) = $carol->cmd('LIST "" "*"');
ok(!line_of($news, @l), 'carol (not in the ACL) does not see shared.news');
$carol->close;

my $b = Murder::RawIMAP->connect($f);
like($b->login('bob', $Murder::Proxy::USERS{bob}), qr/OK/, 'bob logs in');
($ok, @l) = $b->cmd('LIST "" "*"');
ok(line_of(qr/"INBOX"$/, @l) && line_of($news, @l), 'bob sees his INBOX and shared.news');
ok(!line_of(qr/Work/, @l), "bob does not see alice's folders");

# subscriptions come from the INBOX's backend; selection options apply
my ($workname) = line_of($work, $c->cmd('LIST "" "*"')) =~ /"([^"]+)"$/;
like(scalar $c->cmd(qq{SUBSCRIBE "$workname"}), qr/^t\d+ OK/, 'SUBSCRIBE via INBOX backend');
($ok, @l) = $c->cmd('LIST (SUBSCRIBED) "" "*"');
is(scalar(@l), 1, 'LIST (SUBSCRIBED) gives one mailbox');
like($l[0] // '', qr/\\Subscribed.*$work/, '... the subscribed one');
($ok, @l) = $c->cmd('LSUB "" "*"');
is_deeply([map { /"([^"]+)"$/ ? $1 : () } @l], [$workname], 'LSUB from the backend');

# LIST needs no backend
$t->backend(0)->stop;
$t->backend(1)->stop;
($ok, @l) = $c->cmd('LIST "" "*"');
like($ok, qr/^t\d+ OK/, 'LIST answered with every backend down');
ok(line_of($news, @l), '... from the local list');
like(scalar $c->cmd('LSUB "" "*"'), qr/^t\d+ NO \[UNAVAILABLE\]/,
     'LSUB with the INBOX backend down: NO, not an empty list');
like(scalar $c->cmd('NOOP'), qr/^t\d+ OK/, 'the session survives');
$c->close;
$b->close;
$t->stop;
done_testing;
